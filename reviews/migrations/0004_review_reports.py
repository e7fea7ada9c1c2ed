import django.contrib.postgres.functions
import django.db.models.deletion
import django.db.models.functions.datetime
import uuid
from django.conf import settings
from django.db import migrations, models

class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0003_visible_rating_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReviewReport',
            fields=[
                ('report_id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('reason', models.CharField(choices=[('spam', 'Spam or advertising'), ('offensive', 'Offensive or abusive'), ('off_topic', 'Off-topic'), ('not_this_model', 'Not about this model'), ('other', 'Something else')], max_length=16)),
                ('details', models.TextField(blank=True, db_default='', default='', max_length=2000)),
                ('resolved_at', models.DateTimeField(blank=True, null=True)),
                ('resolution', models.CharField(blank=True, choices=[('hidden', 'Review hidden'), ('dismissed', 'Report dismissed')], max_length=16, null=True)),
                ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), editable=False)),
                ('resolved_by', models.ForeignKey(blank=True, db_column='resolved_by_id', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('review', models.ForeignKey(db_column='review_id', on_delete=django.db.models.deletion.CASCADE, related_name='reports', to='reviews.modelreview')),
                ('user', models.ForeignKey(db_column='user_id', on_delete=django.db.models.deletion.CASCADE, related_name='review_reports', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'review_reports',
                'ordering': ['created_at'],
                'indexes': [models.Index(condition=models.Q(('resolved_at__isnull', True)), fields=['created_at'], name='review_reports_open_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('resolved_at__isnull', True)), fields=('review', 'user'), name='review_reports_one_open_per_user', violation_error_message='You have already reported this review.'), models.CheckConstraint(condition=models.Q(('reason__in', ['spam', 'offensive', 'off_topic', 'not_this_model', 'other'])), name='review_reports_reason_valid'), models.CheckConstraint(condition=models.Q(('resolution__in', ['hidden', 'dismissed'])), name='review_reports_resolution_valid'), models.CheckConstraint(condition=models.Q(models.Q(('resolution__isnull', True), ('resolved_at__isnull', True), ('resolved_by__isnull', True)), models.Q(('resolution__isnull', False), ('resolved_at__isnull', False)), _connector='OR'), name='review_reports_resolution_when_resolved', violation_error_message='A resolved report says how it was resolved; an open one does not.')],
            },
        ),
    ]
